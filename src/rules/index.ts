import noAppendOnlyHandleStore from './no-append-only-handle-store.js';
import noDanglingHandleField from './no-dangling-handle-field.js';
import noDoubleRelease from './no-double-release.js';
import noLeakedHandle from './no-leaked-handle.js';
import noUseAfterRelease from './no-use-after-release.js';

export const rules = {
  'no-append-only-handle-store': noAppendOnlyHandleStore,
  'no-dangling-handle-field': noDanglingHandleField,
  'no-double-release': noDoubleRelease,
  'no-leaked-handle': noLeakedHandle,
  'no-use-after-release': noUseAfterRelease,
};
