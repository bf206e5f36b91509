// Every rule is exported, documented, tested and in the presets its docs
// say; the plugin object has the shape ESLint's flat config expects.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const ruleFiles = fs
  .readdirSync(path.join(root, 'src/rules'))
  .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
  .map((file) => file.replace(/\.ts$/, ''));
const ruleEntries = Object.entries(plugin.rules);

describe('plugin shape', () => {
  it('has meta with the package name, version and namespace', () => {
    expect(plugin.meta).toEqual({ name: packageJson.name, version: packageJson.version, namespace: 'handle-lifetime' });
  });
  it('exports every rule file under its file name', () => {
    expect(Object.keys(plugin.rules).sort()).toEqual([...ruleFiles].sort());
  });
  it('names every config and registers the plugin in it', () => {
    for (const [name, config] of Object.entries(plugin.configs)) {
      expect(config.name).toBe(`handle-lifetime/${name}`);
      expect(config.plugins?.['handle-lifetime']).toBe(plugin);
    }
  });
});

describe.each(ruleEntries)('rule %s', (name, rule) => {
  const docs = rule.meta.docs as { description: string; recommended?: boolean; strict?: boolean; requiresTypeChecking?: boolean; url?: string };
  it('has a doc page with the generated header and the required sections', () => {
    const page = fs.readFileSync(path.join(root, 'docs/rules', `${name}.md`), 'utf8');
    expect(page).toContain('<!-- end auto-generated rule header -->');
    expect(page).toMatch(/^## Examples$/m);
    expect(page).toMatch(/^## When Not To Use It$/m);
    expect(page).toContain('❌');
    expect(page).toContain('✅');
  });
  it('has a test file', () => {
    expect(fs.existsSync(path.join(root, 'tests/rules', `${name}.test.ts`))).toBe(true);
  });
  it('is listed in the README', () => {
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`[${name}](docs/rules/${name}.md)`);
  });
  it('has a description in house style and a docs URL built from its name', () => {
    expect(docs.description).toMatch(/^(Enforce|Require|Disallow) /);
    expect(docs.url).toMatch(new RegExp(`/docs/rules/${name}\\.md$`));
    expect(docs.requiresTypeChecking).toBe(true);
  });
  it('sits in the presets its docs name', () => {
    const id = `handle-lifetime/${name}`;
    expect(id in (plugin.configs.all.rules ?? {})).toBe(true);
    expect(id in (plugin.configs.recommended.rules ?? {})).toBe(docs.recommended === true);
    expect(id in (plugin.configs.strict.rules ?? {})).toBe(docs.recommended === true || docs.strict === true);
  });
  it('has a schema whose properties are closed and described', () => {
    const schema = rule.meta.schema;
    const items = Array.isArray(schema) ? schema : [schema];
    for (const item of items) {
      if (!item || typeof item !== 'object' || !('properties' in item)) continue;
      expect(item.additionalProperties).toBe(false);
      for (const property of Object.values(item.properties ?? {})) expect((property as { description?: string }).description).toBeTruthy();
    }
  });
  it('uses only placeholders its reports fill', () => {
    for (const message of Object.values(rule.meta.messages)) {
      for (const [, placeholder] of (message as string).matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
        expect(['name', 'released', 'line', 'acquired', 'exit', 'thrower', 'keyword', 'holder', 'object', 'field', 'again', 'class', 'method', 'fields', 'them', 'why', 'api', 'verb', 'releasing', 'keeping', 'places', 'because', 'finallyLine']).toContain(placeholder);
      }
    }
  });
});
