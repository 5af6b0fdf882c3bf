import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus.service.js';

/** The event bus, global so any section can emit without importing the push socket. */
@Global()
@Module({ providers: [EventBus], exports: [EventBus] })
export class EventsModule {}
