import 'reflect-metadata';
import { BadRequestException } from '@nestjs/common';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { createValidationPipe } from './validation.js';

class OptionalQuery {
  @IsOptional()
  @IsString()
  history?: string;
}

class RequiredQuery {
  @IsString()
  name!: string;
}

class NumberQuery {
  @IsOptional()
  @IsInt()
  count?: number;
}

const query = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: undefined });

describe('the global validation pipe', () => {
  it('turns an empty query into a fresh instance of its DTO, every time', async () => {
    const pipe = createValidationPipe();
    const first = await pipe.transform({}, query(OptionalQuery));
    const second = await pipe.transform(Object.create(null), query(OptionalQuery));
    expect(first).toBeInstanceOf(OptionalQuery);
    expect(second).toBeInstanceOf(OptionalQuery);
    expect(first).not.toBe(second);
    expect({ ...(first as object) }).toEqual({});
  });

  it('still refuses an empty query when the DTO requires a field, every time', async () => {
    const pipe = createValidationPipe();
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const refusal = await pipe.transform({}, query(RequiredQuery)).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(BadRequestException);
      expect((refusal as BadRequestException).message).toBe('name: name must be a string');
    }
  });

  it('validates, strips and converts non-empty queries as before', async () => {
    const pipe = createValidationPipe();
    await pipe.transform({}, query(OptionalQuery));
    const kept = await pipe.transform({ history: 'true', extra: 'x' }, query(OptionalQuery));
    expect(kept).toBeInstanceOf(OptionalQuery);
    expect({ ...(kept as object) }).toEqual({ history: 'true' });
    const refusal = await pipe.transform({ count: 'many' }, query(NumberQuery)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BadRequestException);
  });
});
