import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { ConnectionCommandDto, ConnectionSettingsResponseDto } from './connection.dto.js';
import { ConnectionService } from './connection.service.js';

@ApiTags('Connection')
@Controller('api/connection')
export class ConnectionController {
  constructor(private readonly service: ConnectionService) {}

  /** The current connection (state, port, baud rate, profile) and the options to connect with. */
  @Get()
  @RequirePermission(Permission.STATUS)
  getConnectionSettings(): Promise<ConnectionSettingsResponseDto> {
    return this.service.getConnectionSettings();
  }

  /** `connect` (port, baudrate, printerProfile, save, autoconnect), `disconnect` or `fake_ack`. */
  @Post()
  @HttpCode(204)
  @RequirePermission(Permission.CONNECTION)
  issueConnectionCommand(@Body() body: ConnectionCommandDto): Promise<void> {
    return this.service.issueConnectionCommand(body);
  }
}
