/**
 * The walk over Lua code: every statement and expression of a block, in source order, with the scopes Lua gives them
 * (names bound as they are declared or assigned), handing each call and each function written in it to a visitor:
 * the DSL's (dsl-walk.ts) or a phase's (phase-walk.ts).
 */
import type {
  CallExpression,
  Expression,
  FunctionDeclaration,
  Statement,
  StringCallExpression,
  TableCallExpression,
} from 'luaparse';
import { bindingFor, Scope, type Binding } from './lua-scope.ts';

export type LuaCall = CallExpression | StringCallExpression | TableCallExpression;

export interface LuaVisitor {
  /** A call, before its base and arguments are walked; `args` lists a string or table call's one argument too. */
  call(call: LuaCall, args: Expression[], scope: Scope): void;
  /** A function written in the walked code (declared or as a value), after its name, if any, is bound. */
  functionValue(fn: FunctionDeclaration, scope: Scope): void;
}

/** A function's body in a scope of its own, its parameters bound to values unknown here. */
export function walkFunctionBody(fn: FunctionDeclaration, scope: Scope, visitor: LuaVisitor): void {
  const inner = new Scope(scope);
  for (const p of fn.parameters) if (p.type === 'Identifier') inner.declare(p.name, { kind: 'unknown' });
  walkBlock(fn.body, inner, visitor);
}

export function walkBlock(body: Statement[], scope: Scope, visitor: LuaVisitor): void {
  for (const st of body) walkStatement(st, scope, visitor);
}

function walkStatement(st: Statement, scope: Scope, visitor: LuaVisitor): void {
  switch (st.type) {
    case 'LocalStatement': {
      for (const e of st.init) walkExpr(e, scope, visitor);
      st.variables.forEach((v, i) => scope.declare(v.name, bindingFor(st.init[i], scope)));
      break;
    }
    case 'AssignmentStatement': {
      for (const e of st.init) walkExpr(e, scope, visitor);
      st.variables.forEach((v, i) => {
        if (v.type === 'Identifier') scope.assign(v.name, bindingFor(st.init[i], scope));
        else walkExpr(v, scope, visitor);
      });
      break;
    }
    case 'CallStatement':
      walkExpr(st.expression, scope, visitor);
      break;
    case 'FunctionDeclaration': {
      const id = st.identifier;
      if (id !== null && id.type === 'Identifier') {
        const b: Binding = { kind: 'function', node: st, scope };
        if (st.isLocal) scope.declare(id.name, b);
        else scope.assign(id.name, b);
      }
      visitor.functionValue(st, scope);
      break;
    }
    case 'ReturnStatement':
      for (const e of st.arguments) walkExpr(e, scope, visitor);
      break;
    case 'IfStatement':
      for (const clause of st.clauses) {
        if (clause.type !== 'ElseClause') walkExpr(clause.condition, scope, visitor);
        walkBlock(clause.body, new Scope(scope), visitor);
      }
      break;
    case 'WhileStatement':
      walkExpr(st.condition, scope, visitor);
      walkBlock(st.body, new Scope(scope), visitor);
      break;
    case 'RepeatStatement': {
      const inner = new Scope(scope);
      walkBlock(st.body, inner, visitor);
      walkExpr(st.condition, inner, visitor);
      break;
    }
    case 'DoStatement':
      walkBlock(st.body, new Scope(scope), visitor);
      break;
    case 'ForNumericStatement': {
      walkExpr(st.start, scope, visitor);
      walkExpr(st.end, scope, visitor);
      if (st.step !== null) walkExpr(st.step, scope, visitor);
      const inner = new Scope(scope);
      inner.declare(st.variable.name, { kind: 'unknown' });
      walkBlock(st.body, inner, visitor);
      break;
    }
    case 'ForGenericStatement': {
      for (const e of st.iterators) walkExpr(e, scope, visitor);
      const inner = new Scope(scope);
      for (const v of st.variables) inner.declare(v.name, { kind: 'unknown' });
      walkBlock(st.body, inner, visitor);
      break;
    }
    default:
      break;
  }
}

function walkExpr(e: Expression, scope: Scope, visitor: LuaVisitor): void {
  switch (e.type) {
    case 'CallExpression':
      visitor.call(e, e.arguments, scope);
      walkExpr(e.base, scope, visitor);
      for (const a of e.arguments) walkExpr(a, scope, visitor);
      break;
    case 'StringCallExpression':
      visitor.call(e, [e.argument], scope);
      walkExpr(e.base, scope, visitor);
      break;
    case 'TableCallExpression':
      visitor.call(e, [e.arguments], scope);
      walkExpr(e.base, scope, visitor);
      walkExpr(e.arguments, scope, visitor);
      break;
    case 'FunctionDeclaration':
      visitor.functionValue(e, scope);
      break;
    case 'BinaryExpression':
    case 'LogicalExpression':
      walkExpr(e.left, scope, visitor);
      walkExpr(e.right, scope, visitor);
      break;
    case 'UnaryExpression':
      walkExpr(e.argument, scope, visitor);
      break;
    case 'MemberExpression':
      walkExpr(e.base, scope, visitor);
      break;
    case 'IndexExpression':
      walkExpr(e.base, scope, visitor);
      walkExpr(e.index, scope, visitor);
      break;
    case 'TableConstructorExpression':
      for (const f of e.fields) {
        if (f.type === 'TableKey') walkExpr(f.key, scope, visitor);
        walkExpr(f.value, scope, visitor);
      }
      break;
    default:
      break;
  }
}
