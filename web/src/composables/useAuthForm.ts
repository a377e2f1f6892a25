/** The submit handling the sign-in and registration forms share: one attempt at a time, one problem shown. */
import { ref } from 'vue';
import { describeError } from '@/i18n/errorText';

/** A problem found before anything was sent (the form's own check), shown as it is. */
export class FormProblem extends Error {}

export function useAuthForm(send: () => Promise<void>, explain: (error: unknown) => string = describeError) {
  const busy = ref(false);
  const error = ref('');

  async function submit(): Promise<void> {
    if (busy.value) return;
    error.value = '';
    busy.value = true;
    try {
      await send();
    } catch (e) {
      error.value = e instanceof FormProblem ? e.message : explain(e);
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, submit };
}
