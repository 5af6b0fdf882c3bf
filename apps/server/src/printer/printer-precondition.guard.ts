import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiConflictResponse, ApiNotFoundResponse } from '@nestjs/swagger';
import { type PrinterPrecondition, PrinterService } from './printer.service.js';

const PRINTER_PRECONDITION = 'hotend:printer-precondition';

/**
 * Checks the printer's state before the body is parsed: OctoPrint answers 409 (not operational, no heated bed, SD
 * busy) or 404 (SD disabled) ahead of any 400 on these routes. Guards run after the auth guard and before the
 * validation pipe, which gives exactly that order. The decision itself stays in PrinterService.
 */
@Injectable()
export class PrinterPreconditionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly service: PrinterService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const precondition = this.reflector.get<PrinterPrecondition | undefined>(
      PRINTER_PRECONDITION,
      context.getHandler(),
    );
    if (precondition !== undefined) this.service.assertPrecondition(precondition);
    return true;
  }
}

/** The route needs the printer in this state before its body is looked at. */
export function RequirePrinter(precondition: PrinterPrecondition): MethodDecorator {
  const conflict =
    precondition === 'sd'
      ? 'The printer is not operational, printing or paused'
      : precondition === 'operational'
        ? 'The printer is not operational'
        : `The printer is not operational or has no heated ${precondition}`;
  return applyDecorators(
    SetMetadata(PRINTER_PRECONDITION, precondition),
    UseGuards(PrinterPreconditionGuard),
    ApiConflictResponse({ description: conflict }),
    ...(precondition === 'sd' ? [ApiNotFoundResponse({ description: 'SD support is disabled' })] : []),
  );
}
