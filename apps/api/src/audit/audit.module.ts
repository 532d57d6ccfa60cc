import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';

/** An org's history from the event store, and its state as of a time or revision. Needs FeatureDepsModule. */
@Module({ controllers: [AuditController] })
export class AuditModule {}
