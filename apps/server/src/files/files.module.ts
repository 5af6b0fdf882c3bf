import { Module } from '@nestjs/common';
import { HotendConfigService } from '../config/config.service.js';
import { FileDownloadsService } from './file-downloads.service.js';
import { FileEvents } from './file-events.js';
import { FileLibrary } from './file-library.js';
import { FileMetadataRepository } from './file-metadata.repository.js';
import { FileSelection } from './file-selection.js';
import { FileUploadService } from './file-upload.service.js';
import { FileDownloadsController, FilesController } from './files.controller.js';
import { FilesService } from './files.service.js';
import { LocalFileStorage } from './local-file.storage.js';
import { SdCardFiles } from './sd-card-files.js';

/** Files API: uploads in `<basedir>/uploads`, their metadata in `<basedir>/hotend.db`, analysis in a worker thread. */
@Module({
  controllers: [FilesController, FileDownloadsController],
  providers: [
    FileSelection,
    FileEvents,
    FileLibrary,
    FilesService,
    FileUploadService,
    FileDownloadsService,
    SdCardFiles,
    {
      provide: LocalFileStorage,
      useFactory: (config: HotendConfigService) => new LocalFileStorage(config.paths.uploads),
      inject: [HotendConfigService],
    },
    {
      provide: FileMetadataRepository,
      useFactory: (config: HotendConfigService) => FileMetadataRepository.open(config.paths.database),
      inject: [HotendConfigService],
    },
  ],
  exports: [FileLibrary, FileSelection],
})
export class FilesModule {}
