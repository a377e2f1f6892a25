import { computed, ref } from 'vue';
import { errorMessage } from '@/lib/api';

/**
 * One action at a time, its failure said in the user's language: the buttons wait while `busy`
 * (or, in a list, while `running` is their row's key), and `error` holds the last refusal.
 */
export function useBusyAction() {
  /** The key given to the running action (a row's uid), '' when none runs. */
  const running = ref('');
  const busy = computed(() => running.value !== '');
  const error = ref('');

  async function run(action: () => Promise<unknown>, key = 'action'): Promise<void> {
    running.value = key;
    error.value = '';
    try {
      await action();
    } catch (e) {
      error.value = errorMessage(e);
    } finally {
      running.value = '';
    }
  }

  return { running, busy, error, run };
}
