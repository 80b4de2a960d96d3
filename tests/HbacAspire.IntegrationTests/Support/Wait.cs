namespace HbacAspire.IntegrationTests.Support;

/// <summary>Polling with a deadline; a time-out fails the test with what was awaited and the stack's diagnostics.</summary>
internal static class Wait
{
    public static async Task UntilAsync(Func<bool> condition, string what, double seconds, Func<string>? diagnostics = null, Func<bool>? giveUp = null) =>
        await UntilAsync(() => Task.FromResult(condition()), what, seconds, diagnostics, giveUp);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, double seconds, Func<string>? diagnostics = null, Func<bool>? giveUp = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            if (giveUp?.Invoke() == true)
            {
                Assert.Fail($"gave up waiting for {what}: the AppHost exited\n{diagnostics?.Invoke()}");
            }
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"timed out after {seconds} s waiting for {what}\n{diagnostics?.Invoke()}");
            }
            await Task.Delay(50);
        }
    }
}
