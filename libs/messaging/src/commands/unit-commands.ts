import { EntityManager } from 'typeorm';
import { SubjectKeys } from '@omni/personal-data';

/** A command of a unit of work as read, before validation: the fields a preload goes by. */
export interface UnitCommand {
  type: string;
  application: string;
  aggregateId: string;
  /** The userID the command names in its payload, if any. */
  userId?: string;
}

/**
 * The commands among a unit's messages (see UnitMessages), for what a service loads for all of them
 * at once. Unvalidated: a message whose fields have the wrong types is left out (it fails later, alone).
 */
export function unitCommands(messages: readonly Record<string, unknown>[], types: (type: string) => boolean): UnitCommand[] {
  const commands: UnitCommand[] = [];
  for (const { type, application, aggregateId, payload } of messages) {
    if (typeof type !== 'string' || typeof application !== 'string' || typeof aggregateId !== 'string' || !types(type)) continue;
    const userId = (payload as { userID?: unknown } | null | undefined)?.userID;
    commands.push({ type, application, aggregateId, ...(typeof userId === 'string' ? { userId } : {}) });
  }
  return commands;
}

/** A user of an application (a command's subject, an aggregate's owner). */
export interface UnitSubject {
  application: string;
  userId: string;
}

/**
 * A command service's UnitPreload: the aggregates a unit's commands change, loaded for change with
 * one statement (`load`, which answers who owns them); then, for every user the commands name or
 * the aggregates belong to, `users` (the service's per-user locks and counts, if it has any) and
 * their keys, with one statement each. What it does not foresee is read when a command asks.
 */
export function commandUnitPreload(options: {
  keys: SubjectKeys;
  isCommand: (type: string) => boolean;
  load: (em: EntityManager, commands: UnitCommand[]) => Promise<UnitSubject[]>;
  users?: (em: EntityManager, users: UnitSubject[]) => Promise<void>;
}): (em: EntityManager, messages: readonly Record<string, unknown>[]) => Promise<void> {
  return async (em, messages) => {
    const commands = unitCommands(messages, options.isCommand);
    if (commands.length === 0) return;
    const owners = await options.load(em, commands);
    const subjects = new Map<string, UnitSubject>();
    for (const subject of [...commands.flatMap(({ application, userId }) => (userId ? [{ application, userId }] : [])), ...owners]) {
      subjects.set(`${subject.application}\u0000${subject.userId}`, subject);
    }
    await options.users?.(em, [...subjects.values()]);
    await options.keys.preload(em, [...subjects.values()]);
  };
}
