import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';

export const COMMAND_ACCEPTED = 'command.accepted';
export const COMMAND_REJECTED = 'command.rejected';

/** One field-level problem, named the way the client sent it. */
export interface FieldError {
  field: string;
  message: string;
}

/** Why a command was rejected: mapped 1:1 to the HTTP error the client receives. */
export interface Rejection {
  /** HTTP status the gateway answers with (4xx). */
  status: number;
  /** Stable machine-readable code, e.g. `USER_NOT_FOUND`, `VALIDATION_FAILED`. */
  code: string;
  message: string;
  fields?: FieldError[];
}

/** Another aggregate a command changed, at the version at which that change is visible. */
export class AggregateVersion {
  @IsString()
  aggregateType!: string;

  @IsString()
  aggregateId!: string;

  @IsInt()
  @Min(1)
  version!: number;
}

/**
 * The outcome of a command, emitted by the service that handled it, in the same transaction
 * as the state change. Topic: command.outcomes; aggregate: the command's aggregate; the
 * envelope's aggregateVersion is the version at which the effect is visible.
 */
export class CommandAcceptedPayload {
  @IsString()
  commandId!: string;

  @IsString()
  commandType!: string;

  /** Aggregate type whose version gates visibility in the read model (`user`, `device`, …). */
  @IsString()
  aggregateType!: string;

  /** Small response data the client gets back (never personal data beyond what it sent). */
  @IsOptional()
  @IsObject()
  result?: Record<string, unknown>;

  /** Whether the command created the aggregate (201) or changed an existing one (200). */
  @IsOptional()
  @IsIn([true, false])
  created?: boolean;

  /** The other aggregates the command changed (a device move's old device): the write is visible once each is too. */
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AggregateVersion)
  otherAggregates?: AggregateVersion[];
}

export class CommandRejectedPayload {
  @IsString()
  commandId!: string;

  @IsString()
  commandType!: string;

  @IsString()
  aggregateType!: string;

  @IsInt()
  @Min(400)
  @Max(499)
  status!: number;

  @IsString()
  code!: string;

  @IsString()
  message!: string;

  @IsOptional()
  fields?: FieldError[];
}
