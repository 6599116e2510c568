/** The workspace the VS Code session opens: a Python file and a frugal.toml for the fake. */

export const SOURCE_NAME = 'shapes.py';

export const SOURCE = [
  'import math',
  '',
  '',
  'def area(radius: float) -> float:',
  '    """Area of a circle."""',
  '    if radius < 0:',
  '        raise ValueError("negative radius")',
  '    return math.pi * radius ** 2',
  '',
  '',
  'def circumference(radius: float) -> float:',
  '    # circumference',
  '',
].join('\n');

/** One OpenAI-compatible provider (the loopback fake), one basic model, a budget. */
export function frugalToml(fakeUrl, budgetTokens) {
  return [
    '[[providers]]',
    'name = "fake"',
    'kind = "openai"',
    `base_url = "${fakeUrl}/v1"`,
    '',
    '[[models]]',
    'name = "fake-basic"',
    'provider = "fake"',
    'tier = "basic"',
    '',
    '[budget]',
    `tokens = ${budgetTokens}`,
    'period = "month"',
    'alert_at = [0.7, 0.9, 1.0]',
    '',
  ].join('\n');
}
