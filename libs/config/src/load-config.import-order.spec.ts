/**
 * Every app's main.ts imports `@omni/config` FIRST and only then `@omni/observability` /
 * `@omni/runtime`, which load reflect-metadata. This file reproduces that order (it must not load
 * reflect-metadata before the config lib): the config lib must not depend on someone else having
 * loaded reflect-metadata before it, or CommonConfig's numbers get no design:type and stay strings.
 */
import { CommonConfig, loadConfig } from './index';
// What @omni/observability (through @nestjs/common) and @omni/runtime do next in main.ts:
import 'reflect-metadata';
import { IsInt } from 'class-validator';

class AppConfigDeclaredAfterReflectMetadata extends CommonConfig {
  @IsInt()
  override PORT: number = 3000;
}

describe('loadConfig with the import order of the apps', () => {
  it('turns DATABASE_POOL_SIZE=10 (what docker-compose always sets) into the number 10', () => {
    const config = loadConfig(AppConfigDeclaredAfterReflectMetadata, { DATABASE_POOL_SIZE: '10', PORT: '3103' });

    expect(config.PORT).toBe(3103);
    expect(config.DATABASE_POOL_SIZE).toBe(10);
  });
});
