import { Global, Module } from '@nestjs/common';
import { PrinterCommService } from './printer-comm.service.js';
import { PRINTER_COMM } from './printer-comm.types.js';

/** The serial comm layer: the only code that talks to the port. Provides PRINTER_COMM everywhere. */
@Global()
@Module({
  providers: [PrinterCommService, { provide: PRINTER_COMM, useExisting: PrinterCommService }],
  exports: [PrinterCommService, PRINTER_COMM],
})
export class CommModule {}
