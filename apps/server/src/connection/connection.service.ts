import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import { naturalSort } from '../comm/port-scanner.js';
import { PRINTER_COMM, type PrinterCommApi } from '../comm/printer-comm.types.js';
import { HotendConfigService } from '../config/config.service.js';
import { unusablePortReason } from './serial-device.js';
import type { ConnectionCommandDto, ConnectionSettingsResponseDto } from './connection.dto.js';

/** OctoPrint's baud rate list (highest first). */
export const BAUDRATES: readonly number[] = [250000, 230400, 115200, 57600, 38400, 19200, 9600];

@Injectable()
export class ConnectionService {
  private readonly logger = new Logger('hotend.connection');

  constructor(
    @Inject(PRINTER_COMM) private readonly comm: PrinterCommApi,
    private readonly config: HotendConfigService,
  ) {}

  async getConnectionSettings(): Promise<ConnectionSettingsResponseDto> {
    const { serial, printerProfile } = this.config.get();
    const current = this.comm.connection;
    return {
      current: { ...current, printerProfile: printerProfile.id },
      options: {
        ports: naturalSort(await this.comm.listPorts()),
        baudrates: [...BAUDRATES],
        printerProfiles: [{ id: printerProfile.id, name: printerProfile.name }],
        portPreference: serial.port ?? null,
        baudratePreference: serial.baudrate ?? null,
        printerProfilePreference: printerProfile.id,
      },
    };
  }

  async issueConnectionCommand(body: ConnectionCommandDto): Promise<void> {
    switch (body.command) {
      case 'connect':
        return this.connect(body);
      case 'disconnect':
        await this.comm.disconnect();
        return;
      case 'fake_ack':
        this.comm.fakeAck();
        return;
    }
  }

  /** Validates, saves what was asked, then starts connecting: the state is followed through GET (as OctoPrint). */
  private async connect(body: ConnectionCommandDto): Promise<void> {
    const { serial, printerProfile } = this.config.get();
    if (body.port !== undefined && body.port !== 'AUTO' && !(await this.comm.listPorts()).includes(body.port)) {
      const reason = unusablePortReason(body.port);
      if (reason !== undefined) throw new BadRequestException(reason);
    }
    if (body.baudrate !== undefined && body.baudrate !== 0 && !BAUDRATES.includes(body.baudrate)) {
      throw new BadRequestException('baudrate is invalid');
    }
    if (body.printerProfile !== undefined && body.printerProfile !== printerProfile.id) {
      throw new BadRequestException('printerProfile is invalid');
    }
    if (body.save === true) {
      this.config.persist(['serial', 'port'], body.port ?? null);
      this.config.persist(['serial', 'baudrate'], body.baudrate ?? null);
    }
    if (body.autoconnect !== undefined) this.config.persist(['serial', 'autoconnect'], body.autoconnect);
    const port = body.port ?? serial.port ?? 'AUTO';
    const baudrate = body.baudrate ?? serial.baudrate ?? 0;
    this.comm.connect({ port, baudrate }).catch((error: unknown) => {
      this.logger.warn(`Connecting to ${port} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
