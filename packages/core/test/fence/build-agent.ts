import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const CORE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Transpiles test/fence/agent.ts and the core files it imports (relative imports only)
 * into `outDir`, so the stand-in agent runs as a plain Node process the test can freeze.
 * No type check here: `tsc --noEmit` covers that. Returns the agent's entry file.
 */
export function buildAgent(outDir: string): string {
  const seen = new Set<string>();
  const todo = [join(CORE, 'test/fence/agent.ts')];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)) todo.push(resolve(dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    }).outputText;
    const target = join(outDir, relative(CORE, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  return join(outDir, 'test/fence/agent.js');
}

export const GUARD_SCRIPT = join(CORE, 'src/fence/guard.sh');
