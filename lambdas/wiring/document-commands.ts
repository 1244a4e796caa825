/**
 * Stands in for `@aws-sdk/lib-dynamodb` in the Lambda bundles (an esbuild alias, see
 * lib/bundling.ts). The functions send their table commands through our light client
 * (adapters/dynamodb/light-client.ts), which reads nothing of a command but its class and its
 * `input`: the SDK's command classes would bring the whole DynamoDB client with them (~180 KB
 * minified per bundle). Only the commands the stores send are here; esbuild refuses a bundle that
 * imports any other name from the package, so nothing can go missing quietly.
 */
import type * as sdk from '@aws-sdk/lib-dynamodb';

abstract class Command<Input> {
  readonly input: Input;
  constructor(input: Input) {
    this.input = input;
  }
}

export class GetCommand extends Command<sdk.GetCommandInput> {}
export class QueryCommand extends Command<sdk.QueryCommandInput> {}
export class PutCommand extends Command<sdk.PutCommandInput> {}
export class UpdateCommand extends Command<sdk.UpdateCommandInput> {}
export class DeleteCommand extends Command<sdk.DeleteCommandInput> {}
export class TransactWriteCommand extends Command<sdk.TransactWriteCommandInput> {}
export class BatchGetCommand extends Command<sdk.BatchGetCommandInput> {}
