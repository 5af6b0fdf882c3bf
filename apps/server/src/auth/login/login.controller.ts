import { Body, Controller, Get, HttpCode, MethodNotAllowedException, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExcludeEndpoint,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
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
   * Log in for the push socket.
   * @remarks A passive login (`{"passive": true}`, or `?passive=1` with an empty body) with an API key answers the
   * key as OctoPrint's user, with a new `session` for the push socket's `auth` message (`<name>:<session>`).
   * Without a valid key the caller is a guest (no `name`, no `session`). Sessions end after 15 minutes unused (an
   * authed socket keeps them alive) and on logout. An active login (`user`, `pass`) is refused with 403, as Hotend
   * has keys, not accounts; the 4th failure a minute from one address (5 in 10 minutes, 10 an hour) gets 429.
   */
  @Post('login')
  @ApiOkResponse({ type: LoginResponseDto, description: 'The logged-in key, or a guest.' })
  @ApiBadRequestResponse({ description: 'Neither `user` and `pass` nor `passive` were sent.' })
  @ApiForbiddenResponse({ description: 'An active login: Hotend has no user accounts.' })
  @ApiResponse({ status: 429, description: 'Too many failed active logins from this address.' })
  @HttpCode(200)
  @Public()
  login(
    @Body() body: LoginRequestDto,
    @Query() query: LoginQueryDto,
    @Req() request: FastifyRequest,
  ): LoginResponseDto {
    return this.service.login(body ?? {}, query.passive, callerOf(request));
  }

  /** OctoPrint answers 405 here, although its documentation shows a GET; not in the spec, as nothing works. */
  @Get('login')
  @ApiExcludeEndpoint()
  @Public()
  loginWithGet(): never {
    throw new MethodNotAllowedException('Use POST to log in');
  }

  /**
   * Log out.
   * @remarks Ends every login session of the calling key, or only the one named in `session` (which needs no key:
   * the session id is the credential). Sockets authed with an ended session get
   * `{"reauthRequired": {"reason": "logout"}}`.
   */
  @Post('logout')
  @ApiOkResponse({ type: LogoutResponseDto, description: 'What a guest holds.' })
  @HttpCode(200)
  @Public()
  logout(@Body() body: LogoutRequestDto, @Req() request: FastifyRequest): LogoutResponseDto {
    return this.service.logout(body?.session, callerOf(request));
  }
}
