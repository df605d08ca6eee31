/** The migration guide's examples as a migrations folder (test/fixtures/guide), and their ids in runner order. */
import { fileURLToPath } from 'node:url';

export const GUIDE = fileURLToPath(new URL('../fixtures/guide/', import.meta.url));

export const GUIDE_IDS = [
  '0001_example_template',
  '0002_create_users',
  '0003_add_email_to_users',
  '0004_create_products',
  '0005_add_description_to_products',
  '0006_index_products_name',
  '0007_create_roles',
  '0008_seed_roles',
  '0009_insert_users_prepared',
  '0010_insert_users_with_parameters',
  '0011_users_idempotent',
];
