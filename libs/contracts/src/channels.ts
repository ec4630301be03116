/**
 * PostgreSQL NOTIFY channels between apps: wire names like topic names. The projection notifies
 * COMMAND_PROGRESS_CHANNEL (payload: a command id) when a command's outcome or one of its events
 * becomes visible; every gateway LISTENs to wake the write waiting for it.
 */
export const COMMAND_PROGRESS_CHANNEL = 'omni_command_progress';
