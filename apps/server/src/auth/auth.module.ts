import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyReloader } from './api-key-reloader.js';
import { ApiKeyService } from './api-key.service.js';

@Global()
@Module({
  providers: [ApiKeyService, ApiKeyReloader, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyService],
})
export class AuthModule {}
