import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
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

@ApiTags('Printer')
@Controller('api/printer')
export class PrinterController {
  constructor(private readonly service: PrinterService) {}

  /** Temperatures (optionally with history), SD state and printer state in one answer. */
  @Get()
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse(NOT_OPERATIONAL)
  getPrinterState(@Query() query: PrinterStateQueryDto): FullPrinterStateResponseDto {
    return this.service.getFullState(query);
  }

  /** Jog (`jog`), home (`home`) or set the feed rate (`feedrate`, M220). */
  @Post('printhead')
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @ApiBadRequestResponse({ description: 'Unknown command, invalid axis, amount or factor, or a jog without axes' })
  @ApiConflictResponse({ description: 'The printer is not operational or (jog, home) printing' })
  issuePrintheadCommand(@Body() body: PrintheadCommandDto): void {
    return this.service.issuePrintheadCommand(body);
  }

  /** Tool temperatures (`target`, `offset`), tool selection (`select`), extrusion (`extrude`) and flow rate (`flowrate`). */
  @Post('tool')
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('operational')
  @ApiBadRequestResponse({ description: 'Unknown command or tool, or a value outside the supported range' })
  issueToolCommand(@Body() body: ToolCommandDto): void {
    return this.service.issueToolCommand(body);
  }

  /** The tools' temperatures, optionally with history. */
  @Get('tool')
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse(NOT_OPERATIONAL)
  getToolState(@Query() query: TemperatureHistoryQueryDto): TemperatureStateDto {
    return this.service.getToolState(query);
  }

  /** Heated bed target (`target`, M140) or host-side offset (`offset`). */
  @Post('bed')
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('bed')
  @ApiBadRequestResponse({ description: 'Unknown command, or a value outside the supported range' })
  issueBedCommand(@Body() body: BedCommandDto): void {
    return this.service.issueHeaterCommand('bed', body);
  }

  /** The heated bed's temperature, optionally with history. */
  @Get('bed')
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse({ description: 'The printer is not operational or has no heated bed' })
  getBedState(@Query() query: TemperatureHistoryQueryDto): TemperatureStateDto {
    return this.service.getHeaterState('bed', query);
  }

  /** Heated chamber target (`target`, M141) or host-side offset (`offset`). */
  @Post('chamber')
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('chamber')
  @ApiBadRequestResponse({ description: 'Unknown command, or a value outside the supported range' })
  issueChamberCommand(@Body() body: ChamberCommandDto): void {
    return this.service.issueHeaterCommand('chamber', body);
  }

  /** The heated chamber's temperature, optionally with history. */
  @Get('chamber')
  @RequirePermission(Permission.STATUS)
  @ApiConflictResponse({ description: 'The printer is not operational or has no heated chamber' })
  getChamberState(@Query() query: TemperatureHistoryQueryDto): TemperatureStateDto {
    return this.service.getHeaterState('chamber', query);
  }

  /** Initialise (`init`, M21), list again (`refresh`, M20) or release (`release`, M22) the SD card. */
  @Post('sd')
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('sd')
  @ApiBadRequestResponse({ description: 'Unknown command' })
  issueSdCommand(@Body() body: SdCommandDto): void {
    return this.service.issueSdCommand(body);
  }

  /** Whether the SD card is initialised. Needs no API key (seed 004). */
  @Get('sd')
  @Public()
  @ApiNotFoundResponse({ description: 'SD support is disabled' })
  getSdState(): SdStateDto {
    return this.service.getSdState();
  }

  /** Send G-code lines as written (`command` or `commands`), with optional `%(name)s` placeholders. */
  @Post('command')
  @HttpCode(204)
  @RequirePermission(Permission.CONTROL)
  @RequirePrinter('operational')
  @ApiBadRequestResponse({ description: 'Neither or both of command and commands, or a bad placeholder' })
  sendGcodeCommands(@Body() body: GcodeCommandDto): void {
    return this.service.sendCommands(body);
  }

  /** The configured custom controls. */
  @Get('command/custom')
  @RequirePermission(Permission.CONTROL)
  getCustomControls(): CustomControlsResponseDto {
    return this.service.getCustomControls();
  }

  /** The last printer error: empty strings when there is none. */
  @Get('error')
  @RequirePermission(Permission.STATUS)
  getPrinterError(): PrinterErrorResponseDto {
    return this.service.getErrorInfo();
  }
}
