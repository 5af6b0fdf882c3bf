import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators.js';
import { Permission } from '../auth/permission.js';
import { ConnectionCommandDto, ConnectionSettingsResponseDto } from './connection.dto.js';
import { ConnectionService } from './connection.service.js';

@ApiTags('Connection')
@Controller('api/connection')
export class ConnectionController {
  constructor(private readonly service: ConnectionService) {}

  /**
   * The current connection and the options to connect with.
   * @remarks `current` is the state (`Closed`, `Connecting`, `Operational`, ...), port, baud rate and profile;
   * `options` lists the serial ports found (`/dev/ttyUSB*`, `/dev/ttyACM*`, `serial.additionalPorts` and
   * `VIRTUAL`, the built-in simulator), the baud rates and the saved preferences.
   */
  @Get()
  @ApiOkResponse({ type: ConnectionSettingsResponseDto, description: 'The connection state and options.' })
  @RequirePermission(Permission.STATUS)
  getConnectionSettings(): Promise<ConnectionSettingsResponseDto> {
    return this.service.getConnectionSettings();
  }

  /**
   * Connect to the printer, disconnect, or acknowledge a lost ok.
   * @remarks `{"command":"connect","port":"/dev/ttyACM0","baudrate":115200}` starts connecting and answers at once;
   * follow the state with GET. `port` may be any serial device path that exists (not only a listed one),
   * `VIRTUAL` for the simulator or `AUTO`; `baudrate` 0 detects it. `save` keeps port and baud rate as the
   * preferences, `autoconnect` connects on start from now on. `disconnect` closes the port; `fake_ack` pretends
   * the printer acknowledged a line, to recover a stalled conversation.
   */
  @Post()
  @ApiNoContentResponse({ description: 'The command was accepted; connecting continues in the background.' })
  @ApiBadRequestResponse({ description: 'The port does not exist, or the baud rate or profile is unknown.' })
  @HttpCode(204)
  @RequirePermission(Permission.CONNECTION)
  issueConnectionCommand(@Body() body: ConnectionCommandDto): Promise<void> {
    return this.service.issueConnectionCommand(body);
  }
}
