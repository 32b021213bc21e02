import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { AppError } from '../platform/problem/app-error';
import { Public } from '../workspaces/principal';
import { RedisHealthIndicator } from './redis.health';

const CHECK_TIMEOUT_MS = 1500;

@ApiTags('Operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers', description: 'For a liveness probe: 200 while the process can answer, whatever PostgreSQL and Redis do, so an orchestrator does not restart it for an outage elsewhere. No API key.' })
  @ApiResponse({ status: 200, description: 'Alive (does not check dependencies)', example: { status: 'ok' } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer', description: 'For a readiness probe or a load balancer: 200 when both answer within 1.5 s, else 503 naming the one that is down. No API key.' })
  @ApiResponse({ status: 200, description: 'Ready', example: { status: 'ok', info: { postgres: { status: 'up' }, redis: { status: 'up' } }, error: {}, details: {} } })
  @ApiResponse({
    status: 503,
    description: 'A dependency is down; `detail` names it',
    content: {
      'application/problem+json': {
        schema: { $ref: '#/components/schemas/ProblemSchema' },
        example: { type: 'https://identity-pools.dev/problems/service-unavailable', title: 'Service unavailable', status: 503, detail: 'Not ready: redis down. Start it or check its URL; this answer turns 200 once it is back.' },
      },
    },
  })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('postgres', { timeout: CHECK_TIMEOUT_MS }),
        () => this.redis.pingCheck('redis', CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {}).join(' and ');
      throw new AppError(503, 'Service unavailable', `Not ready: ${down} down. Start it or check its URL; this answer turns 200 once it is back.`);
    }
  }
}
