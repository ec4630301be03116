import { CreateReadModel1764345600000 } from './1764345600000-create-read-model';

/** The projection-service's migrations, oldest first. */
export const PROJECTION_MIGRATIONS = [CreateReadModel1764345600000];
