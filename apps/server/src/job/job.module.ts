import { Module } from '@nestjs/common';
import { FilesModule } from '../files/files.module.js';
import { JobController } from './job.controller.js';
import { JobEvents } from './job-events.js';
import { JobService } from './job.service.js';

/** Job API: starts, pauses and cancels prints of the selected file through the comm layer's print engine. */
@Module({
  imports: [FilesModule],
  controllers: [JobController],
  providers: [JobService, JobEvents],
  exports: [JobService],
})
export class JobModule {}
