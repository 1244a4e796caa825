import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Delivery, MailFeedbackStore } from '../../domain/mail-feedback';
import type { AuditEntry } from '../../domain/audit';
import { auditItem } from './audit-store';
import { cancellationReasons } from './conditions';
import { keys } from '../../contract/keys';
import { TableStore } from './table-store';

/**
 * The mail feedback port on the single table: the login email guard item names the contact; the
 * contact's `portal.delivery` and its audit entry are written in one transaction, on the condition
 * that the contact's login still uses that email and does not already say so (a repeated
 * notification writes nothing).
 */
export class DynamoMailFeedbackStore extends TableStore implements MailFeedbackStore {
  async contactIdByLoginEmail(email: string): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.loginEmail(email), ConsistentRead: true }));
    const contactId: unknown = Item?.contactId;
    return typeof contactId === 'string' ? contactId : undefined;
  }

  async markDelivery(contactId: string, email: string, delivery: Delivery, audit: AuditEntry): Promise<'marked' | 'unchanged' | 'missing'> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: keys.contact(contactId),
                UpdateExpression: 'SET #portal.#delivery = :delivery, #updatedAt = :at ADD #version :one',
                // The contact's login must still use the address the feedback is about (a feedback can arrive late).
                ConditionExpression:
                  'attribute_exists(pk) AND #login.#email = :email AND (attribute_not_exists(#portal.#delivery) OR #portal.#delivery <> :delivery)',
                ExpressionAttributeNames: {
                  '#portal': 'portal',
                  '#delivery': 'delivery',
                  '#login': 'login',
                  '#email': 'email',
                  '#updatedAt': 'updatedAt',
                  '#version': 'version',
                },
                ExpressionAttributeValues: { ':delivery': delivery, ':email': email, ':at': audit.at, ':one': 1 },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: auditItem(audit),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return 'marked';
    } catch (error) {
      const [reason] = cancellationReasons(error);
      if (reason?.Code !== 'ConditionalCheckFailed') throw error;
      return reason.Item ? 'unchanged' : 'missing';
    }
  }
}
