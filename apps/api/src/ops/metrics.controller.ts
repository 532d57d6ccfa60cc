import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Registry } from '#observability';
import { Public } from '../platform/auth/decorators.js';
import { METRICS_REGISTRY } from '../platform/tokens.js';

/** Prometheus scrape endpoint; public like /health (expose it on the internal network only). */
@ApiTags('ops')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format).' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'The metrics, text/plain; version=0.0.4.', schema: { type: 'string' } })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
