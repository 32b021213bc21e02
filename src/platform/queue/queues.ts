/** Every BullMQ queue of the service, named in one place. */
export const QUEUES = {
  mail: 'mail',
  imports: 'imports',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
