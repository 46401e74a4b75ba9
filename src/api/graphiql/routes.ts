import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

const require = createRequire(import.meta.url);

/** A file inside an installed package (these browser builds are not in the packages' exports). */
const inPackage = (name: string, file: string) =>
  path.join(path.dirname(require.resolve(`${name}/package.json`)), file);

/** Where each asset is read from: the npm packages' browser builds, and this folder's own files. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.production.min.js': {
    file: inPackage('react', 'umd/react.production.min.js'),
    type: 'text/javascript',
  },
  'react-dom.production.min.js': {
    file: inPackage('react-dom', 'umd/react-dom.production.min.js'),
    type: 'text/javascript',
  },
  'graphiql.min.js': { file: inPackage('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: inPackage('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'start.js': { file: path.join(import.meta.dirname, 'start.js'), type: 'text/javascript' },
};

/**
 * GraphiQL at `/graphiql`, every file served from this server: Mercurius's own page loads React and
 * GraphiQL from a CDN, and is blank offline or behind a firewall. Files are read once, on first use.
 */
export const graphiqlRoutes: FastifyPluginAsync = async (app) => {
  const cache = new Map<string, Buffer>();
  const load = async (file: string) => {
    let body = cache.get(file);
    if (!body) {
      body = await readFile(file);
      cache.set(file, body);
    }
    return body;
  };
  app.get('/graphiql', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await load(path.join(import.meta.dirname, 'page.html'))),
  );
  app.get<{ Params: { name: string } }>('/graphiql/assets/:name', async (request, reply) => {
    const asset = ASSETS[request.params.name];
    if (!asset) return reply.code(404).send({ error: 'no such asset' });
    // Versioned by the installed packages; an hour keeps reloads fast without pinning an old build.
    return reply
      .type(`${asset.type}; charset=utf-8`)
      .header('cache-control', 'public, max-age=3600')
      .send(await load(asset.file));
  });
};
