/** @type {import('eslint-doc-generator').GenerateOptions} */
export default {
  configEmoji: [
    ['recommended', '✅'],
    ['strict', '🔒'],
    ['all', '🌐'],
  ],
  ignoreConfig: ['all'],
  ruleDocSectionInclude: ['Examples', 'When Not To Use It'],
  ruleDocTitleFormat: 'desc-parens-name',
  urlConfigs: 'https://github.com/eslint-plugin-handle-lifetime/eslint-plugin-handle-lifetime#configs',
};
