using System.Diagnostics;
using System.Globalization;
using MaintProxy.Lifetime;

namespace MaintProxy.Tests.Lifetime;

/// <summary>How the proxy tells that a process an overlap restart replaced still runs.</summary>
public sealed class PredecessorProcessTests
{
    [Fact]
    public void IsRunning_SameIdAndStartTime_IsTrue()
    {
        Assert.True(new PredecessorProcess(Environment.ProcessId, OwnStartTime()).IsRunning());
    }

    [Fact]
    public void IsRunning_SameIdOtherStartTime_IsFalse()
    {
        // The id of a process that has exited, given to a new one.
        Assert.False(new PredecessorProcess(Environment.ProcessId, OwnStartTime() + 1).IsRunning());
    }

    [Fact]
    public void IsRunning_NoSuchProcess_IsFalse()
    {
        Assert.False(new PredecessorProcess(int.MaxValue, 0).IsRunning());
    }

    [Fact]
    public void IsRunning_ExitedButNotReaped_IsFalse()
    {
        // The child exits once its parent has been exec'd into sleep 30, which never reaps it: it stays a zombie.
        // (A child that exits before the exec may be reaped by the shell itself.)
        using var parent = Process.Start(new ProcessStartInfo("sh", ["-c", "sleep 0.5 & echo $!; exec sleep 30"]) { RedirectStandardOutput = true })!;
        try
        {
            var zombie = int.Parse(parent.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture);
            string? state = null;
            for (var attempt = 0; attempt < 500 && state != "Z"; attempt++)
            {
                Thread.Sleep(10);
                state = StatFields(zombie)[0];
            }

            Assert.Equal("Z", state);
            Assert.False(new PredecessorProcess(zombie, ulong.Parse(StatFields(zombie)[19], CultureInfo.InvariantCulture)).IsRunning());
        }
        finally
        {
            parent.Kill();
            parent.WaitForExit(10_000);
        }
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("4242:123456", 1)]
    [InlineData("4242:123456,4250:123999", 2)]
    public void TryParseList_RestartShForm_IsRead(string text, int count)
    {
        Assert.True(PredecessorProcess.TryParseList(text, out var processes));
        Assert.Equal(count, processes.Count);
    }

    [Theory]
    [InlineData("4242")]
    [InlineData("0:1")]
    [InlineData("-1:1")]
    [InlineData("4242:abc")]
    [InlineData("4242:1:2")]
    public void TryParseList_OtherText_IsRefused(string text)
    {
        Assert.False(PredecessorProcess.TryParseList(text, out _));
    }

    private static ulong OwnStartTime() => ulong.Parse(StatFields(Environment.ProcessId)[19], CultureInfo.InvariantCulture);

    // The fields of /proc/PID/stat after the command name: the state first, the start time 19 on.
    private static string[] StatFields(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }
}
