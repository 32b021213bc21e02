import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppConfig } from '../config/config';
import { ProblemSchema } from './api-problems';
import { declareContractFormats } from './contract-formats';
import { exampleNotFoundProblems } from './not-found-examples';
import { addOidcPaths } from './oidc-paths';
import { describeBareResponses } from './response-descriptions';

/** Serves the OpenAPI UI at /docs and the document at /docs-json. */
export function setupOpenApi(app: INestApplication, config: AppConfig): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Identity Pools')
      .setDescription(
        'Self-hosted identity service: workspaces keep users in identity pools, organise them in groups, and sign them in to applications through an OpenID Connect issuer per workspace. Errors are RFC 9457 problem+json. Any operation may answer 503 with `Retry-After` while PostgreSQL is unreachable; the request can be sent again after that many seconds. A management request without a valid key is a 401 before its body is read, and a method a path does not answer is a 405 with `Allow`.\n\n' +
          'Each workspace\'s issuer is `{PUBLIC_URL}/oidc/{workspaceId}`; its endpoints (discovery, authorization, token, userinfo, JWKS, introspection, revocation, end session) and its hosted login page are under "OpenID Connect" below. Client libraries configure themselves from its discovery document, `{issuer}/.well-known/openid-configuration`, which lists the same endpoints.',
      )
      .setVersion('1')
      .addServer(config.publicUrl)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'The root key (ROOT_API_KEY) or a workspace API key' })
      .build(),
    { extraModels: [ProblemSchema] },
  );
  declareContractFormats(document);
  exampleNotFoundProblems(document);
  describeBareResponses(document);
  // After the conventions above: they are the management API's (every path parameter a UUID, 404s of its resources).
  addOidcPaths(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
