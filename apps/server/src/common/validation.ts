import { BadRequestException, ValidationPipe } from '@nestjs/common';
import { describeValidationErrors } from '../config/config.loader.js';

/** Global pipe: strips unknown fields, converts types, and answers 400 with a message naming each bad field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors).join('; ')),
  });
}
