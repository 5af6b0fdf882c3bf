import { Module } from '@nestjs/common';

/** Printer API (seed 004): see issue 4. */
@Module({})
export class PrinterModule {}
