import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { describeValidationErrors } from '../config/config.loader.js';

function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/**
 * The global ValidationPipe, plus a fast path for the most common request of all: a GET whose query DTO gets no
 * parameters. Whether a DTO accepts an empty query cannot change (its rules are fixed once the class is loaded),
 * so the full validation of `{}` runs once per DTO class and later empty queries only get a fresh instance.
 */
class HotendValidationPipe extends ValidationPipe {
  private readonly acceptsEmptyQuery = new Map<ArgumentMetadata['metatype'], boolean>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (
      metadata.type !== 'query' ||
      metadata.data !== undefined ||
      metatype === undefined ||
      !isEmptyObject(value) ||
      !this.toValidate(metadata)
    ) {
      return super.transform(value, metadata);
    }
    let accepted = this.acceptsEmptyQuery.get(metatype);
    if (accepted === undefined) {
      try {
        await super.transform({}, metadata);
        accepted = true;
      } catch {
        accepted = false;
      }
      this.acceptsEmptyQuery.set(metatype, accepted);
    }
    return accepted ? plainToInstance(metatype, {}) : super.transform(value, metadata);
  }
}

/** Global pipe: strips unknown fields, converts types, and answers 400 with a message naming each bad field. */
export function createValidationPipe(): ValidationPipe {
  return new HotendValidationPipe({
    transform: true,
    whitelist: true,
    exceptionFactory: (errors) => new BadRequestException(describeValidationErrors(errors).join('; ')),
  });
}
