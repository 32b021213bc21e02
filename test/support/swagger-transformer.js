// Runs the @nestjs/swagger CLI plugin inside ts-jest, as nest build does, so the
// OpenAPI document under test has the same schemas and examples as the built app.
const plugin = require('@nestjs/swagger/plugin');

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compiler) =>
  plugin.before(
    { classValidatorShim: true, introspectComments: true, dtoFileNameSuffix: ['.dto.ts', '.response.ts'] },
    compiler.program,
  );
