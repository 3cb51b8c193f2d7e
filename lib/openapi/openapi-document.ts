/**
 * The parts of an OpenAPI 3 document the helper reads and writes. Structural, so the library
 * needs no `@nestjs/swagger`: the `OpenAPIObject` that `SwaggerModule.createDocument` returns fits.
 */
export interface OpenApiOperationLike {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, unknown>;
  [extension: `x-${string}`]: unknown;
}

export interface OpenApiDocumentLike {
  paths: object;
  components?: object;
}

/** The HTTP methods an OpenAPI path item can hold operations under. */
export const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation of a document with its path. */
export function* operationsOf(document: OpenApiDocumentLike): Iterable<{ path: string; operation: OpenApiOperationLike }> {
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
    for (const method of OPENAPI_METHODS) {
      const operation = item?.[method];
      if (operation && typeof operation === 'object') yield { path, operation: operation as OpenApiOperationLike };
    }
  }
}
