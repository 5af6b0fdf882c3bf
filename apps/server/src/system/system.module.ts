import { Module } from '@nestjs/common';
import { CommandRunner } from './command-runner.js';
import { SystemController } from './system.controller.js';
import { SystemService } from './system.service.js';

/** System commands API (seed 003): list, list per source, execute configured commands. */
@Module({ controllers: [SystemController], providers: [SystemService, CommandRunner] })
export class SystemModule {}
