import { Module } from '@nestjs/common';
import { PrinterPreconditionGuard } from './printer-precondition.guard.js';
import { PrinterController } from './printer.controller.js';
import { PrinterService } from './printer.service.js';

/** Printer API (seed 004): state, printhead, tools, bed, chamber, SD, raw G-code. Talks to the printer via PRINTER_COMM. */
@Module({
  controllers: [PrinterController],
  providers: [PrinterService, PrinterPreconditionGuard],
  exports: [PrinterService],
})
export class PrinterModule {}
