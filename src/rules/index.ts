import noAppendOnlyHandleStore from './no-append-only-handle-store.js';
import noDanglingHandleField from './no-dangling-handle-field.js';
import noDoubleRelease from './no-double-release.js';
import noFinalizerKeepsTargetAlive from './no-finalizer-keeps-target-alive.js';
import noFinalizerSharedState from './no-finalizer-shared-state.js';
import noLeakedHandle from './no-leaked-handle.js';
import noPrematureCallbackRelease from './no-premature-callback-release.js';
import noUnguardedFinalizer from './no-unguarded-finalizer.js';
import noUnregisterWithoutToken from './no-unregister-without-token.js';
import noUseAfterRelease from './no-use-after-release.js';
import preferDedicatedUnregisterToken from './prefer-dedicated-unregister-token.js';
import requireOwnedFieldRelease from './require-owned-field-release.js';

export const rules = {
  'no-append-only-handle-store': noAppendOnlyHandleStore,
  'no-dangling-handle-field': noDanglingHandleField,
  'no-double-release': noDoubleRelease,
  'no-finalizer-keeps-target-alive': noFinalizerKeepsTargetAlive,
  'no-finalizer-shared-state': noFinalizerSharedState,
  'no-leaked-handle': noLeakedHandle,
  'no-premature-callback-release': noPrematureCallbackRelease,
  'no-unguarded-finalizer': noUnguardedFinalizer,
  'no-unregister-without-token': noUnregisterWithoutToken,
  'no-use-after-release': noUseAfterRelease,
  'prefer-dedicated-unregister-token': preferDedicatedUnregisterToken,
  'require-owned-field-release': requireOwnedFieldRelease,
};
