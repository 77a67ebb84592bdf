/** MLflow-style random run names (adjective-noun-number) for runs created without one. */
import { randomInt } from 'node:crypto';

const ADJECTIVES = ['able', 'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'daring', 'eager', 'fair', 'fast', 'gentle', 'glad', 'grand', 'honest', 'jolly', 'keen', 'kind', 'lively', 'lucky', 'merry', 'mighty', 'neat', 'nimble', 'proud', 'quick', 'quiet', 'rare', 'sharp', 'shy', 'silent', 'smart', 'steady', 'sunny', 'swift', 'tidy', 'vast', 'warm', 'wise'];
const NOUNS = ['ant', 'bass', 'bear', 'bee', 'bird', 'cat', 'colt', 'crab', 'crow', 'deer', 'dove', 'duck', 'eel', 'elk', 'finch', 'fox', 'frog', 'gnu', 'goat', 'hare', 'hawk', 'jay', 'koi', 'lark', 'lynx', 'mole', 'moth', 'newt', 'owl', 'panda', 'ram', 'seal', 'slug', 'snail', 'swan', 'toad', 'trout', 'wasp', 'whale', 'wolf'];

export function randomRunName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
}
