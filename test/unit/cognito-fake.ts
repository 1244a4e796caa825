/**
 * A stand-in for the Cognito admin API the adapters call (`CognitoApi`): each operation answers
 * what a test told it (a value, a function of the input, or a rejection), and every call is kept.
 * Unset operations answer `{}`.
 */
import type { CognitoApi, CognitoOperation } from '../../lambdas/adapters/cognito/cognito-api';

type Input = Record<string, unknown> & { Username?: string };
type Answer = (input: Input) => unknown;

export interface FakeCognito extends CognitoApi {
  /** From now on, `operation` answers `answer` (a function is called with the input; a thrown error rejects). */
  on(operation: CognitoOperation, answer: Answer | Record<string, unknown>): FakeCognito;
  /** The next call only. */
  once(operation: CognitoOperation, answer: Answer | Record<string, unknown>): FakeCognito;
  /** The inputs of every call of `operation`, oldest first. */
  calls(operation: CognitoOperation): Input[];
  reset(): void;
}

/** A Cognito error as the adapters see one: `name` is the exception's. */
export const cognitoError = (name: string, message = name, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

export function fakeCognito(): FakeCognito {
  let answers = new Map<CognitoOperation, Answer>();
  let onceAnswers = new Map<CognitoOperation, Answer[]>();
  let calls: { operation: CognitoOperation; input: Input }[] = [];
  const asAnswer = (answer: Answer | Record<string, unknown>): Answer => (typeof answer === 'function' ? answer : () => structuredClone(answer));
  const fake: FakeCognito = {
    async call<T>(operation: CognitoOperation, input: Record<string, unknown>): Promise<T> {
      calls.push({ operation, input: structuredClone(input) as Input });
      const queued = onceAnswers.get(operation)?.shift();
      const answer = queued ?? answers.get(operation);
      return ((await answer?.(input as Input)) ?? {}) as T;
    },
    on(operation, answer) {
      answers.set(operation, asAnswer(answer));
      return fake;
    },
    once(operation, answer) {
      onceAnswers.set(operation, [...(onceAnswers.get(operation) ?? []), asAnswer(answer)]);
      return fake;
    },
    calls: (operation) => calls.filter((c) => c.operation === operation).map((c) => c.input),
    reset() {
      answers = new Map();
      onceAnswers = new Map();
      calls = [];
    },
  };
  return fake;
}
