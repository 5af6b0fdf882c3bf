import { Body, Controller, Get, HttpCode, MethodNotAllowedException, Post, Query, Req } from '@nestjs/common';
import { ApiExtraModels, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { PushEventPayloadsDto } from '../../events/events.dto.js';
import { PushClientMessagesDto, PushMessagesDto } from '../../push/push-messages.dto.js';
import { presentedKey } from '../api-key.guard.js';
import type { ResolvedKey } from '../api-key.service.js';
import { Public } from '../auth.decorators.js';
import { LoginQueryDto, LoginRequestDto, LoginResponseDto, LogoutRequestDto, LogoutResponseDto } from './login.dto.js';
import { type LoginCaller, LoginService } from './login.service.js';

const callerOf = (request: FastifyRequest & { hotendKey?: ResolvedKey }): LoginCaller => ({
  presentedKey: presentedKey(request, false),
  key: request.hotendKey,
  address: request.ip,
});

/** OctoPrint's login for the push socket. The push messages' schemas are listed here so the SDK gets their types. */
@ApiTags('Push')
@ApiExtraModels(PushMessagesDto, PushClientMessagesDto, PushEventPayloadsDto)
@Controller('api')
export class LoginController {
  constructor(private readonly service: LoginService) {}

  /**
   * Passive login (`{"passive": true}` or `?passive=1`) with an API key: answers the key as OctoPrint's user, with
   * a `session` for the push socket's `auth` message. Without a key: a guest. An active login (`user`, `pass`) is
   * refused with 403 (Hotend has keys, not accounts); repeated failures get 429.
   */
  @Post('login')
  @HttpCode(200)
  @Public()
  login(
    @Body() body: LoginRequestDto,
    @Query() query: LoginQueryDto,
    @Req() request: FastifyRequest,
  ): LoginResponseDto {
    return this.service.login(body ?? {}, query.passive, callerOf(request));
  }

  /** OctoPrint only accepts POST here (its docs show a GET). */
  @Get('login')
  @Public()
  loginWithGet(): never {
    throw new MethodNotAllowedException('Use POST to log in');
  }

  /**
   * Ends the calling key's login sessions (or only `session`); sockets authed with them get
   * `reauthRequired {"reason": "logout"}`.
   */
  @Post('logout')
  @HttpCode(200)
  @Public()
  logout(@Body() body: LogoutRequestDto, @Req() request: FastifyRequest): LogoutResponseDto {
    return this.service.logout(body?.session, callerOf(request));
  }
}
