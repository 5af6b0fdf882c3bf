import { Module } from '@nestjs/common';
import { LoginController } from './login.controller.js';
import { LoginService } from './login.service.js';
import { LoginSessionStore } from './login-session.store.js';

/** POST /api/login and /api/logout, and the sessions they hand out (which the push socket authenticates with). */
@Module({
  controllers: [LoginController],
  providers: [LoginService, { provide: LoginSessionStore, useFactory: () => new LoginSessionStore() }],
  exports: [LoginSessionStore],
})
export class LoginModule {}
