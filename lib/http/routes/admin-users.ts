import * as z from 'zod';
import { createUser, deleteUser, toPublicUser, updateUser } from '../../auth/users.js';
import { defineRoute } from '../route.js';
import { emailSchema, passwordSchema, publicUserSchema, successSchema, usernameSchema } from '../schemas.js';

/** User administration (admins only): served by functions/api/admin-users.ts. */

const userIdParams = z.object({
  user_id: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'use the numeric id of the user')
    .transform(Number),
});

// `.strict()`: an unknown field (`role`, `is_active`, `hashed_password`, `id`…) is a 400, never stored.
const createBody = z
  .object({
    username: usernameSchema,
    password: passwordSchema,
    email: emailSchema.optional(),
    is_admin: z.boolean().optional(),
  })
  .strict();

const updateBody = z
  .object({
    email: emailSchema.optional(),
    password: passwordSchema.optional(),
    is_active: z.boolean().optional(),
    is_admin: z.boolean().optional(),
  })
  .strict()
  .refine((value) => Object.keys(value).length > 0, 'give at least one of email, password, is_active, is_admin');

const userResult = successSchema.extend({ user: publicUserSchema });

export const listUsersRoute = defineRoute({
  method: 'GET',
  path: '/api/admin/users',
  fn: 'admin-users',
  auth: 'admin',
  summary: 'List all users: a bare array, as the Python service answered.',
  tags: ['admin'],
  response: z.array(publicUserSchema),
  async handle({ deps }) {
    return { body: (await deps.store.listUsers()).map(toPublicUser) };
  },
});

export const createUserRoute = defineRoute({
  method: 'POST',
  path: '/api/admin/users',
  fn: 'admin-users',
  auth: 'admin',
  summary: 'Create a user.',
  tags: ['admin'],
  body: createBody,
  status: 201,
  response: userResult,
  errors: [400, 409],
  async handle({ body, deps }) {
    const user = await createUser(
      { username: body.username, password: body.password, email: body.email, isAdmin: body.is_admin },
      deps.store,
    );
    return { body: { success: true, message: `User ${user.username} created`, user: toPublicUser(user) } };
  },
});

export const updateUserRoute = defineRoute({
  method: 'PATCH',
  path: '/api/admin/users/{user_id}',
  fn: 'admin-users',
  auth: 'admin',
  summary: 'Change a user’s email, password, active or admin flag.',
  tags: ['admin'],
  params: userIdParams,
  body: updateBody,
  response: userResult,
  errors: [400, 404, 409],
  async handle({ params, body, user, deps }) {
    const updated = await updateUser(
      user,
      params.user_id,
      { email: body.email, password: body.password, isActive: body.is_active, isAdmin: body.is_admin },
      deps.store,
    );
    return { body: { success: true, message: `User ${updated.username} updated`, user: toPublicUser(updated) } };
  },
});

export const deleteUserRoute = defineRoute({
  method: 'DELETE',
  path: '/api/admin/users/{user_id}',
  fn: 'admin-users',
  auth: 'admin',
  summary: 'Delete a user (not yourself, not the last admin).',
  tags: ['admin'],
  params: userIdParams,
  response: successSchema,
  errors: [400, 404, 409],
  async handle({ params, user, deps }) {
    const deleted = await deleteUser(user, params.user_id, deps.store);
    return { body: { success: true, message: `User ${deleted.username} deleted` } };
  },
});

export const adminUserRoutes = [listUsersRoute, createUserRoute, updateUserRoute, deleteUserRoute];
