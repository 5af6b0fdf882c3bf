import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Public, RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { RequirePrinter } from './printer-precondition.guard.js';
import {
  BedCommandDto,
  ChamberCommandDto,
  CustomControlsResponseDto,
  FullPrinterStateResponseDto,
  GcodeCommandDto,
  PrinterErrorResponseDto,
  PrinterStateQueryDto,
  PrintheadCommandDto,
  SdCommandDto,
  SdStateDto,
  TemperatureHistoryQueryDto,
  TemperatureStateDto,
  ToolCommandDto,
} from './printer.dto.js';
import { PrinterService } from './printer.service.js';

const NOT_OPERATIONAL = { description: 'The printer is not operational' };
const QUEUED = { description: 'The command was accepted and its G-code queued for the printer.' };

@ApiTags('Printer')
@Controller('api/printer')
export class PrinterController {
  constructor(private readonly service: PrinterService) {}

  /**
   * Temperatures (optionally with history), SD state and printer state in one answer.
   * @remarks Temperatures are keyed `tool0`..`toolN`, `bed` and `chamber` (the last two only when the printer
   * profile has them); `history=true` adds the recorded samples, oldest first, and `limit` keeps only the last ones.
   * `exclude` leaves parts out of the answer: `exclude=temperature,sd` returns only `state`.
   */
  @Get()
  @ApiOkResponse({ type: FullPrinterStateResponseDto, description: 'The requested parts of the printer state.' })
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse(NOT_OPERATIONAL)
  getPrinterState(@Query() query: PrinterStateQueryDto): FullPrinterStateResponseDto {
    return this.service.getFullState(query);
  }

  /**
   * Move, home or set the feed rate of the print head.
   * @remarks `jog` moves relative to the current position (`{"command":"jog","x":10,"y":-5}`, or absolute with
   * `"absolute":true`; `speed` in mm/min, default the slowest profile speed of the moved axes); `home` homes the
   * given `axes` (all when empty); `feedrate` sets the speed factor (M220; `factor` 105 or 1.05 for 105 %). Jog
   * and home are refused while printing.
   */
  @Post('printhead')
  @ApiNoContentResponse(QUEUED)
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @ApiBadRequestResponse({ description: 'Unknown command, invalid axis, amount or factor, or a jog without axes' })
  @ApiConflictResponse({ description: 'The printer is not operational or (jog, home) printing' })
  issuePrintheadCommand(@Body() body: PrintheadCommandDto): void {
    return this.service.issuePrintheadCommand(body);
  }

  /**
   * Set tool temperatures or offsets, select a tool, extrude or set the flow rate.
   * @remarks `target` sets target temperatures (`{"command":"target","targets":{"tool0":210}}`, M104), `offset`
   * host-side offsets (-50..50 °C, no G-code sent), `select` the active tool (T<n>), `extrude` extrudes or
   * retracts the given `amount` in mm, `flowrate` sets the flow factor (M221; `factor` 95 or 0.95). Targets above
   * `printerProfile.temperatures.toolMax` are refused.
   */
  @Post('tool')
  @ApiNoContentResponse(QUEUED)
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('operational')
  @ApiBadRequestResponse({ description: 'Unknown command or tool, or a value outside the supported range' })
  issueToolCommand(@Body() body: ToolCommandDto): void {
    return this.service.issueToolCommand(body);
  }

  /**
   * The tools' temperatures, optionally with history.
   * @remarks Keyed `tool0`..`toolN`, each with `actual`, `target` and `offset`; `history=true` adds the samples.
   */
  @Get('tool')
  @ApiOkResponse({ type: TemperatureStateDto, description: 'The tools and, if asked for, their history.' })
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse(NOT_OPERATIONAL)
  getToolState(@Query() query: TemperatureHistoryQueryDto): TemperatureStateDto {
    return this.service.getToolState(query);
  }

  /**
   * Set the heated bed's target temperature or offset.
   * @remarks `{"command":"target","target":60}` sends M140; `{"command":"offset","offset":5}` sets a host-side
   * offset (-50..50 °C, no G-code). 409 when the printer profile has no heated bed.
   */
  @Post('bed')
  @ApiNoContentResponse(QUEUED)
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('bed')
  @ApiBadRequestResponse({ description: 'Unknown command, or a value outside the supported range' })
  issueBedCommand(@Body() body: BedCommandDto): void {
    return this.service.issueHeaterCommand('bed', body);
  }

  /**
   * The heated bed's temperature, optionally with history.
   * @remarks Answers `bed` with `actual`, `target` and `offset`; `history=true` adds the samples.
   */
  @Get('bed')
  @ApiOkResponse({ type: TemperatureStateDto, description: 'The bed and, if asked for, its history.' })
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse({ description: 'The printer is not operational or has no heated bed' })
  getBedState(@Query() query: TemperatureHistoryQueryDto): TemperatureStateDto {
    return this.service.getHeaterState('bed', query);
  }

  /**
   * Set the heated chamber's target temperature or offset.
   * @remarks `{"command":"target","target":40}` sends M141; `{"command":"offset","offset":5}` sets a host-side
   * offset (-50..50 °C, no G-code). 409 when the printer profile has no heated chamber.
   */
  @Post('chamber')
  @ApiNoContentResponse(QUEUED)
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('chamber')
  @ApiBadRequestResponse({ description: 'Unknown command, or a value outside the supported range' })
  issueChamberCommand(@Body() body: ChamberCommandDto): void {
    return this.service.issueHeaterCommand('chamber', body);
  }

  /**
   * The heated chamber's temperature, optionally with history.
   * @remarks Answers `chamber` with `actual`, `target` and `offset`; `history=true` adds the samples.
   */
  @Get('chamber')
  @ApiOkResponse({ type: TemperatureStateDto, description: 'The chamber and, if asked for, its history.' })
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse({ description: 'The printer is not operational or has no heated chamber' })
  getChamberState(@Query() query: TemperatureHistoryQueryDto): TemperatureStateDto {
    return this.service.getHeaterState('chamber', query);
  }

  /**
   * Initialise, refresh or release the printer's SD card.
   * @remarks `init` sends M21, `refresh` lists the card again (M20), `release` sends M22. `refresh` and `release`
   * need an initialised card (409 otherwise); none is allowed while printing.
   */
  @Post('sd')
  @ApiNoContentResponse(QUEUED)
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('sd')
  @ApiBadRequestResponse({ description: 'Unknown command' })
  issueSdCommand(@Body() body: SdCommandDto): void {
    return this.service.issueSdCommand(body);
  }

  /**
   * Whether the SD card is initialised.
   * @remarks Needs no API key, as in OctoPrint. 404 when `printerProfile.sdSupport` is false.
   */
  @Get('sd')
  @ApiOkResponse({ type: SdStateDto, description: 'The SD card state.' })
  @Public()
  @ApiNotFoundResponse({ description: 'SD support is disabled' })
  getSdState(): SdStateDto {
    return this.service.getSdState();
  }

  /**
   * Send G-code lines to the printer as written.
   * @remarks Give one line as `command` or several as `commands` (not both). Placeholders such as `%(temp)s` are
   * filled from `parameters` (`{"commands":["M104 S%(temp)s"],"parameters":{"temp":210}}`); a placeholder without
   * a parameter is a 400.
   */
  @Post('command')
  @ApiNoContentResponse(QUEUED)
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('operational')
  @ApiBadRequestResponse({
    description: 'Neither or both of command and commands, a bad placeholder, or more lines than the queue holds',
  })
  @ApiTooManyRequestsResponse({
    description: 'The command queue is full (serial.commandQueueLimit lines still wait for the printer)',
  })
  sendGcodeCommands(@Body() body: GcodeCommandDto): void {
    return this.service.sendCommands(body);
  }

  /**
   * The configured custom controls.
   * @remarks The `printerProfile.controls` of config.yaml, in OctoPrint's custom-control format, as written.
   */
  @Get('command/custom')
  @ApiOkResponse({ type: CustomControlsResponseDto, description: 'The custom controls.' })
  @RequirePermission(Permission.CONTROL)
  getCustomControls(): CustomControlsResponseDto {
    return this.service.getCustomControls();
  }

  /**
   * The last printer error.
   * @remarks Empty strings when there is none; otherwise the error text, its kind, what Hotend did about it and
   * the terminal lines around it.
   */
  @Get('error')
  @ApiOkResponse({ type: PrinterErrorResponseDto, description: 'The last error, or empty strings.' })
  @RequirePermission(Permission.STATUS)
  getPrinterError(): PrinterErrorResponseDto {
    return this.service.getErrorInfo();
  }
}
