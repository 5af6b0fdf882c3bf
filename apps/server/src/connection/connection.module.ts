import { Module } from '@nestjs/common';
import { ConnectionController } from './connection.controller.js';
import { ConnectionService } from './connection.service.js';

/** Connection API: OctoPrint's `/api/connection` (state, ports, connect, disconnect, fake_ack). */
@Module({ controllers: [ConnectionController], providers: [ConnectionService] })
export class ConnectionModule {}
