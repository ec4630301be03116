/** `npm run kafka:topics`: create every topic of the contracts (and its dead-letter topic) that is missing. */
import { createTopics } from './lib/setup';

createTopics()
  .then((created) => console.log(created.length ? `created topics: ${created.join(', ')}` : 'topics up to date'))
  .catch((error: unknown) => {
    console.error('topic creation failed:', error);
    process.exit(1);
  });
