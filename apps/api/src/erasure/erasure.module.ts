import { Module } from '@nestjs/common';
import { ErasureController } from './erasure.controller.js';

/** Erasing an org's revenue data (service scope maos:erase). Needs FeatureDepsModule. */
@Module({ controllers: [ErasureController] })
export class ErasureModule {}
