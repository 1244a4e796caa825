import { perContainer } from '../../lambdas/wiring/container';

describe('perContainer', () => {
  const saved = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = saved;
  });

  it('builds on first use outside Lambda, once', () => {
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    const build = jest.fn(() => ({ client: 1 }));
    const deps = perContainer(build);
    expect(build).not.toHaveBeenCalled();
    expect(deps()).toBe(deps());
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('builds during INIT in Lambda, and the first use gets that one', () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const build = jest.fn(() => ({ client: 1 }));
    const deps = perContainer(build);
    expect(build).toHaveBeenCalledTimes(1);
    deps();
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('leaves a dependency that cannot be built during INIT to fail on its first use', () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const build = jest.fn(() => {
      throw new Error('TABLE_NAME is not set');
    });
    const deps = perContainer(build);
    expect(() => deps()).toThrow('TABLE_NAME is not set');
    expect(build).toHaveBeenCalledTimes(2);
  });

  it('lets tests put in their own', () => {
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    const deps = perContainer(() => 'real');
    deps.use('fake');
    expect(deps()).toBe('fake');
    deps.use(undefined);
    expect(deps()).toBe('real');
  });
});
