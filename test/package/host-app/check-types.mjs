// Compiles the host app with the given TypeScript and reports the errors that are ours to fix:
// those in the host's sources and in @nestflux/auth's published .d.ts files (checked as with
// skipLibCheck off), not those of other packages' declarations. Usage: node check-types.mjs <typescript dir>
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';

const ts = createRequire(join(process.argv[2], 'package.json'))('typescript');
const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, skipLibCheck: false } });
const ours = (file) => !file.includes(`${sep}node_modules${sep}`) || file.includes(`${sep}node_modules${sep}@nestflux${sep}auth${sep}`);
const checked = program.getSourceFiles().filter((file) => ours(file.fileName));
const diagnostics = [
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
  ...checked.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
  ...program.emit().diagnostics,
];
const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };
if (diagnostics.length > 0) {
  process.stderr.write(ts.formatDiagnostics(diagnostics, host));
  process.exit(1);
}
console.log(`types ok: ${checked.length} files checked (${checked.filter((f) => f.fileName.includes('@nestflux')).length} of @nestflux/auth)`);
