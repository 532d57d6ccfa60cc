import { Module } from '@nestjs/common';
import { OutboxController } from './outbox.controller.js';

/** GET /api/ops/outbox: where the dispatcher's deliveries stand. */
@Module({ controllers: [OutboxController] })
export class OutboxModule {}
